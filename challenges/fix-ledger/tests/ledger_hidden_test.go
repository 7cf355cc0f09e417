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
	if err := l.Deposit("bob", 1); !errors.Is(err, ErrNoAccount) {
		t.Errorf("Deposit to an unknown account = %v, want ErrNoAccount", err)
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
			t.Errorf("ParseAmount(%q) = %d, %v; want %d cents (do not use floats for money)", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "abc", "1.234", "1.", ".5x", "1,50"} {
		if _, err := ParseAmount(bad); err == nil {
			t.Errorf("ParseAmount(%q) succeeded, want an error", bad)
		}
	}
}

func TestSplitKeepsEveryCent(t *testing.T) {
	got := Split(100, 3)
	want := []Cents{34, 33, 33}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Split(100, 3) = %v, want %v", got, want)
	}
	for total := Cents(0); total < 250; total += 7 {
		for n := 1; n <= 7; n++ {
			parts := Split(total, n)
			var sum Cents
			for _, p := range parts {
				sum += p
			}
			if len(parts) != n || sum != total {
				t.Fatalf("Split(%d, %d) = %v: %d parts adding up to %d, want %d parts adding up to %d", total, n, parts, len(parts), sum, n, total)
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
	pages := map[int][]int{1: {1, 2}, 2: {3, 4}, 3: {5}, 4: {}}
	for page := 1; page <= 4; page++ {
		got, err := l.History("a", page, 2)
		if err != nil {
			t.Fatalf("History(page %d, size 2): %v", page, err)
		}
		var seqs []int
		for _, e := range got {
			seqs = append(seqs, e.Seq)
		}
		if fmt.Sprint(seqs) != fmt.Sprint(pages[page]) && !(len(seqs) == 0 && len(pages[page]) == 0) {
			t.Errorf("History(page %d, size 2) holds entries %v, want %v (pages start at 1)", page, seqs, pages[page])
		}
	}
	if _, err := l.History("a", 0, 2); !errors.Is(err, ErrBadPage) {
		t.Errorf("History(page 0) = %v, want ErrBadPage", err)
	}
}

func TestTransferRules(t *testing.T) {
	l := New()
	l.Open("a")
	l.Open("b")
	l.Deposit("a", 500)
	if err := l.Transfer("a", "b", 501); !errors.Is(err, ErrInsufficientFunds) {
		t.Errorf("Transfer of 501 from a balance of 500 = %v, want ErrInsufficientFunds", err)
	}
	if err := l.Transfer("a", "b", -100); !errors.Is(err, ErrInvalidAmount) {
		t.Errorf("Transfer of -100 = %v, want ErrInvalidAmount", err)
	}
	if err := l.Transfer("a", "b", 0); !errors.Is(err, ErrInvalidAmount) {
		t.Errorf("Transfer of 0 = %v, want ErrInvalidAmount", err)
	}
	a, _ := l.Balance("a")
	b, _ := l.Balance("b")
	if a != 500 || b != 0 {
		t.Errorf("after refused transfers: a=%d b=%d, want a=500 b=0", a, b)
	}
	if err := l.Transfer("a", "b", 200); err != nil {
		t.Fatalf("Transfer(200): %v", err)
	}
	a, _ = l.Balance("a")
	b, _ = l.Balance("b")
	if a != 300 || b != 200 {
		t.Errorf("after moving 200: a=%d b=%d, want a=300 b=200", a, b)
	}
	h, _ := l.History("b", 1, 10)
	if len(h) != 1 || h[0].Amount != 200 || h[0].Balance != 200 {
		t.Errorf("b's history after receiving 200 = %+v", h)
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
