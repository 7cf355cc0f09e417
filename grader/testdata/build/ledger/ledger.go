// Package ledger keeps account balances and moves money between them.
package ledger

import (
	"errors"
	"fmt"
	"sync"
)

// Errors callers can check with errors.Is.
var (
	ErrNoAccount         = errors.New("no such account")
	ErrAccountExists     = errors.New("account already exists")
	ErrInvalidAmount     = errors.New("amount must be positive")
	ErrInsufficientFunds = errors.New("insufficient funds")
	ErrBadPage           = errors.New("page and size must be at least 1")
)

// Entry is one line of an account's history.
type Entry struct {
	Seq     int    // 1 for the account's first entry, then 2, 3, ...
	Amount  Cents  // positive for money in, negative for money out
	Balance Cents  // the balance after this entry
	Memo    string // "deposit", "withdrawal", "transfer to x", "transfer from y"
}

type account struct {
	balance Cents
	history []Entry
}

// Ledger holds accounts. It is safe for concurrent use.
type Ledger struct {
	mu       sync.Mutex
	accounts map[string]*account
}

// New returns an empty ledger.
func New() *Ledger {
	return &Ledger{accounts: map[string]*account{}}
}

// Open creates an account with a zero balance.
func (l *Ledger) Open(id string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.accounts[id]; ok {
		return fmt.Errorf("open %s: %w", id, ErrAccountExists)
	}
	l.accounts[id] = &account{}
	return nil
}

// Deposit adds amount to an account.
func (l *Ledger) Deposit(id string, amount Cents) error {
	if amount <= 0 {
		return fmt.Errorf("deposit %s: %w", amount, ErrInvalidAmount)
	}
	a, ok := l.accounts[id]
	if !ok {
		return fmt.Errorf("deposit to %s: %w", id, ErrNoAccount)
	}
	a.add(amount, "deposit")
	return nil
}

// Withdraw takes amount out of an account, never below zero.
func (l *Ledger) Withdraw(id string, amount Cents) error {
	if amount <= 0 {
		return fmt.Errorf("withdraw %s: %w", amount, ErrInvalidAmount)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.accounts[id]
	if !ok {
		return fmt.Errorf("withdraw from %s: %w", id, ErrNoAccount)
	}
	if a.balance < amount {
		return fmt.Errorf("withdraw %s from %s: %w", amount, id, ErrInsufficientFunds)
	}
	a.add(-amount, "withdrawal")
	return nil
}

// Transfer moves amount from one account to another, all or nothing.
func (l *Ledger) Transfer(from, to string, amount Cents) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	src, ok := l.accounts[from]
	if !ok {
		return fmt.Errorf("transfer from %s: %w", from, ErrNoAccount)
	}
	dst, ok := l.accounts[to]
	if !ok {
		return fmt.Errorf("transfer to %s: %w", to, ErrNoAccount)
	}
	src.add(-amount, "transfer to "+to)
	dst.add(amount, "transfer from "+from)
	return nil
}

// Balance returns an account's balance.
func (l *Ledger) Balance(id string) (Cents, error) {
	a, ok := l.accounts[id]
	if !ok {
		return 0, fmt.Errorf("balance of %s: %w", id, ErrNoAccount)
	}
	return a.balance, nil
}

// History returns one page of an account's entries, oldest first. Pages
// start at 1; a page past the end is empty.
func (l *Ledger) History(id string, page, size int) ([]Entry, error) {
	if page < 1 || size < 1 {
		return nil, fmt.Errorf("history of %s: %w", id, ErrBadPage)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.accounts[id]
	if !ok {
		return nil, fmt.Errorf("history of %s: %w", id, ErrNoAccount)
	}
	start := page * size
	if start >= len(a.history) {
		return []Entry{}, nil
	}
	end := min(start+size, len(a.history))
	return append([]Entry(nil), a.history[start:end]...), nil
}

// add records a movement; the caller holds the ledger's lock.
func (a *account) add(amount Cents, memo string) {
	a.balance += amount
	a.history = append(a.history, Entry{Seq: len(a.history) + 1, Amount: amount, Balance: a.balance, Memo: memo})
}
