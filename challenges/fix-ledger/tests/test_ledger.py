import pytest

from ledger import (BadAmount, BadPage, Entry, InsufficientFunds, InvalidAmount,
                    Ledger, NoAccount, AccountExists, format_cents, parse_amount, split)


def test_deposit_and_withdraw():
    l = Ledger()
    l.open("alice")
    with pytest.raises(AccountExists):
        l.open("alice")
    l.deposit("alice", 1234)
    l.withdraw("alice", 234)
    assert l.balance("alice") == 1000
    with pytest.raises(InvalidAmount):
        l.deposit("alice", 0)
    with pytest.raises(NoAccount):
        l.deposit("bob", 5)
    with pytest.raises(InsufficientFunds):
        l.withdraw("alice", 1001)
    assert l.balance("alice") == 1000


@pytest.mark.parametrize("text,cents", [
    ("0.29", 29), ("0.5", 50), ("7", 700), ("-4.35", -435), (" 12.34 ", 1234),
    ("1.10", 110), ("19.99", 1999), ("1000000.01", 100000001),
])
def test_parse_amount(text, cents):
    got = parse_amount(text)
    assert isinstance(got, int) and got == cents, f"parse_amount({text!r}) = {got!r}, want {cents}"


@pytest.mark.parametrize("text", ["", "1.234", "1.", ".5", "1e2", "1,50", "abc", "--1", "nan", "inf"])
def test_parse_amount_refuses(text):
    with pytest.raises(BadAmount):
        parse_amount(text)


@pytest.mark.parametrize("total,n", [(100, 3), (1, 4), (0, 2), (1001, 7), (999999, 13)])
def test_split_keeps_every_cent(total, n):
    parts = split(total, n)
    assert len(parts) == n
    assert sum(parts) == total, f"split({total}, {n}) = {parts} adds up to {sum(parts)}"
    assert max(parts) - min(parts) <= 1
    assert parts == sorted(parts, reverse=True)


def test_history_pages():
    l = Ledger()
    l.open("a")
    for i in range(1, 6):
        l.deposit("a", i * 100)
    page1 = l.history("a", 1, 2)
    assert [e.seq for e in page1] == [1, 2], "page 1 holds entries 1 and 2"
    assert page1[1] == Entry(2, 200, 300, "deposit")
    assert [e.seq for e in l.history("a", 3, 2)] == [5]
    assert l.history("a", 4, 2) == []
    with pytest.raises(BadPage):
        l.history("a", 0, 2)
    with pytest.raises(NoAccount):
        l.history("zed", 1, 2)


def test_transfer_rules():
    l = Ledger()
    l.open("a")
    l.open("b")
    l.deposit("a", 500)
    with pytest.raises(InsufficientFunds):
        l.transfer("a", "b", 501)
    with pytest.raises(InvalidAmount):
        l.transfer("a", "b", -5)
    with pytest.raises(NoAccount):
        l.transfer("a", "nobody", 5)
    assert (l.balance("a"), l.balance("b")) == (500, 0), "a failed transfer changes nothing"
    l.transfer("a", "b", 200)
    assert (l.balance("a"), l.balance("b")) == (300, 200)
    assert l.history("b", 1, 10)[-1].memo == "transfer from a"
    assert l.history("a", 1, 10)[-1].memo == "transfer to b"


def test_format_cents():
    assert format_cents(1234) == "12.34"
    assert format_cents(-5) == "-0.05"
    assert format_cents(700) == "7.00"
    assert format_cents(0) == "0.00"
