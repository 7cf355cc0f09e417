package ledger

import (
	"errors"
	"fmt"
	"sync"
	"testing"
)

func TestDepositAndWithdraw(t *testing.T) {
	l := New()
	if err := l.Open("alice"); err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := l.Deposit("alice", 1000); err != nil {
		t.Fatalf("Deposit(1000): %v", err)
	}
	if err := l.Withdraw("alice", 250); err != nil {
		t.Fatalf("Withdraw(250): %v", err)
	}
	if b, _ := l.Balance("alice"); b != 750 {
		t.Errorf("balance after depositing 1000 and withdrawing 250 = %d, want 750", b)
	}
	if err := l.Withdraw("alice", 751); !errors.Is(err, ErrInsufficientFunds) {
		t.Errorf("Withdraw(751) from 750 = %v, want ErrInsufficientFunds", err)
	}
	if err := l.Deposit("alice", 0); !errors.Is(err, ErrInvalidAmount) {
		t.Errorf("Deposit(0) = %v, want ErrInvalidAmount", err)
	}
	if err := l.Withdraw("alice", -5); !errors.Is(err, ErrInvalidAmount) {
		t.Errorf("Withdraw(-5) = %v, want ErrInvalidAmount", err)
	}
	if b, _ := l.Balance("alice"); b != 750 {
		t.Errorf("balance after refused operations = %d, want 750", b)
	}
	if err := l.Deposit("bob", 1); !errors.Is(err, ErrNoAccount) {
		t.Errorf("Deposit to an unknown account = %v, want ErrNoAccount", err)
	}
	if err := l.Open("alice"); !errors.Is(err, ErrAccountExists) {
		t.Errorf("opening alice twice = %v, want ErrAccountExists", err)
	}
}

func TestParseAmount(t *testing.T) {
	cases := []struct {
		in   string
		want Cents
	}{
		{"0.29", 29}, {"0.57", 57}, {"1.15", 115}, {"12.34", 1234}, {"19.99", 1999},
		{"7", 700}, {"0.1", 10}, {"1000000.01", 100000001}, {"-4.35", -435},
	}
	for _, c := range cases {
		got, err := ParseAmount(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d cents (do not use floats for money)", c.in, int64(got), err, int64(c.want))
		}
	}
	for _, bad := range []string{"", "abc", "1.234", "1.", ".5", "1e2", "1,50", "12.3x"} {
		if got, err := ParseAmount(bad); !errors.Is(err, ErrBadAmount) {
			t.Errorf("ParseAmount(%q) = %d, %v; want an error wrapping ErrBadAmount", bad, int64(got), err)
		}
	}
}

func TestSplitKeepsEveryCent(t *testing.T) {
	got := Split(100, 3)
	want := []Cents{34, 33, 33}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Split(100, 3) = %d, want %d", got, want)
	}
	for total := Cents(0); total < 250; total += 7 {
		for n := 1; n <= 7; n++ {
			parts := Split(total, n)
			var sum Cents
			for i, p := range parts {
				sum += p
				if d := parts[0] - p; d < 0 || d > 1 || (i > 0 && p > parts[i-1]) {
					t.Fatalf("Split(%d, %d) = %d: parts must differ by at most one cent, larger ones first", total, n, parts)
				}
			}
			if len(parts) != n || sum != total {
				t.Fatalf("Split(%d, %d) = %d: %d parts adding up to %d, want %d parts adding up to %d", total, n, parts, len(parts), sum, n, total)
			}
		}
	}
}

func TestHistoryPages(t *testing.T) {
	l := New()
	l.Open("a")
	for i := 1; i <= 5; i++ {
		l.Deposit("a", Cents(i*100))
	}
	cases := []struct {
		page, size int
		want       []int // the Seq of each entry
	}{
		{1, 2, []int{1, 2}}, {2, 2, []int{3, 4}}, {3, 2, []int{5}}, {4, 2, nil},
		{1, 5, []int{1, 2, 3, 4, 5}}, {2, 3, []int{4, 5}}, {1, 10, []int{1, 2, 3, 4, 5}},
	}
	for _, c := range cases {
		got, err := l.History("a", c.page, c.size)
		if err != nil {
			t.Fatalf("History(page %d, size %d): %v", c.page, c.size, err)
		}
		var seqs []int
		for _, e := range got {
			seqs = append(seqs, e.Seq)
		}
		if fmt.Sprint(seqs) != fmt.Sprint(c.want) {
			t.Errorf("History(page %d, size %d) holds entries %v, want %v (pages start at 1)", c.page, c.size, seqs, c.want)
		}
	}
	for _, c := range [][2]int{{0, 2}, {1, 0}, {-1, 5}} {
		if _, err := l.History("a", c[0], c[1]); !errors.Is(err, ErrBadPage) {
			t.Errorf("History(page %d, size %d) = %v, want ErrBadPage", c[0], c[1], err)
		}
	}
	if _, err := l.History("nobody", 1, 2); !errors.Is(err, ErrNoAccount) {
		t.Errorf("History of an unknown account = %v, want ErrNoAccount", err)
	}
	l.Open("b")
	if err := l.Transfer("a", "b", 150); err != nil {
		t.Fatalf("Transfer(150): %v", err)
	}
	got, _ := l.History("a", 2, 5)
	if len(got) != 1 || got[0].Seq != 6 || got[0].Amount != -150 || got[0].Balance != 1350 {
		t.Errorf("a's sixth entry after sending 150 = %+v, want Seq 6, Amount -150, Balance 1350", got)
	}
	got, _ = l.History("b", 1, 10)
	if len(got) != 1 || got[0].Seq != 1 || got[0].Amount != 150 || got[0].Balance != 150 {
		t.Errorf("b's history after receiving 150 = %+v, want one entry with Amount 150, Balance 150", got)
	}
}

func TestTransferRules(t *testing.T) {
	l := New()
	l.Open("a")
	l.Open("b")
	l.Deposit("a", 500)
	balances := func() (Cents, Cents) {
		a, _ := l.Balance("a")
		b, _ := l.Balance("b")
		return a, b
	}
	if err := l.Transfer("a", "b", 501); !errors.Is(err, ErrInsufficientFunds) {
		t.Errorf("Transfer of 501 from a balance of 500 = %v, want ErrInsufficientFunds", err)
	}
	if err := l.Transfer("a", "b", -100); !errors.Is(err, ErrInvalidAmount) {
		t.Errorf("Transfer of -100 = %v, want ErrInvalidAmount", err)
	}
	if err := l.Transfer("a", "b", 0); !errors.Is(err, ErrInvalidAmount) {
		t.Errorf("Transfer of 0 = %v, want ErrInvalidAmount", err)
	}
	if err := l.Transfer("a", "nobody", 100); !errors.Is(err, ErrNoAccount) {
		t.Errorf("Transfer to an unknown account = %v, want ErrNoAccount", err)
	}
	if a, b := balances(); a != 500 || b != 0 {
		t.Errorf("after refused transfers: a=%d b=%d, want a=500 b=0", int64(a), int64(b))
	}
	if err := l.Transfer("a", "b", 500); err != nil {
		t.Fatalf("Transfer of the whole balance (500): %v", err)
	}
	if err := l.Transfer("b", "a", 200); err != nil {
		t.Fatalf("Transfer(200) back: %v", err)
	}
	if a, b := balances(); a != 200 || b != 300 {
		t.Errorf("after moving 500 and 200 back: a=%d b=%d, want a=200 b=300", int64(a), int64(b))
	}
}

func TestConcurrentTransfers(t *testing.T) {
	l := New()
	accounts := []string{"a", "b", "c", "d"}
	for _, id := range accounts {
		l.Open(id)
		l.Deposit(id, 10000)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				from := accounts[(g+i)%4]
				to := accounts[(g+i+1)%4]
				_ = l.Transfer(from, to, Cents(1+i%7))
				_ = l.Deposit(from, 1)
				_, _ = l.Balance(to)
			}
		}(g)
	}
	wg.Wait()
	var total Cents
	for _, id := range accounts {
		b, _ := l.Balance(id)
		total += b
	}
	if want := Cents(4*10000 + 8*300); total != want {
		t.Errorf("money was created or lost under concurrent use: total %d, want %d", total, want)
	}
}
