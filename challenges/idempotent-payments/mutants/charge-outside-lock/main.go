// Command idempotent-payments takes payments that clients may send more
// than once and charges each exactly once; README.md has the contract.
// Mutant: checks the key and records the payment under two locks, with the charge between them, so concurrent duplicates are all charged.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"regexp"
	"sync"
	"time"
)

// Payment is one payment, as the API sends it.
type Payment struct {
	ID       string `json:"id"`
	Customer string `json:"customer"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	Status   string `json:"status"`
}

// request is the body of POST /payments.
type request struct {
	Customer string `json:"customer"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// answer is a stored first answer, replayed for a repeated key.
type answer struct {
	req    request
	status int
	body   []byte
}

// balance is what a customer has been charged.
type balance struct {
	Customer string `json:"customer"`
	Charged  int64  `json:"charged"`
	Payments int    `json:"payments"`
}

// service keeps payments, answers by key and balances in memory. One lock
// makes checking a key and charging one step.
type service struct {
	mu       sync.Mutex
	next     int
	payments map[string]Payment
	answers  map[string]answer
	balances map[string]balance
}

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

var currencies = map[string]bool{"EUR": true, "USD": true, "GBP": true}

func main() {
	s := &service{payments: map[string]Payment{}, answers: map[string]answer{}, balances: map[string]balance{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("POST /payments", s.pay)
	mux.HandleFunc("GET /payments/{id}", s.read)
	mux.HandleFunc("GET /customers/{customer}/balance", s.balance)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe(":"+port, mux))
}

func (s *service) pay(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	if !keyPattern.MatchString(key) {
		writeError(w, http.StatusBadRequest, "send an Idempotency-Key header of 1 to 64 letters, digits, - or _")
		return
	}
	req, err := decode(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}

	s.mu.Lock()
	prev, ok := s.answers[key]
	s.mu.Unlock()
	if ok {
		if prev.req != req {
			writeError(w, http.StatusUnprocessableEntity, "this Idempotency-Key was used for another payment; use a new key")
			return
		}
		w.Header().Set("Idempotent-Replayed", "true")
		writeRaw(w, prev.status, prev.body)
		return
	}
	// Ask the payment processor to charge, which takes a while, then
	// record the payment.
	time.Sleep(time.Second)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	p := Payment{ID: fmt.Sprintf("pay_%d", s.next), Customer: req.Customer, Amount: req.Amount, Currency: req.Currency, Status: "succeeded"}
	s.payments[p.ID] = p
	b := s.balances[req.Customer]
	b.Charged += req.Amount
	b.Payments++
	s.balances[req.Customer] = b
	body, err := json.Marshal(p)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encode the payment")
		return
	}
	s.answers[key] = answer{req: req, status: http.StatusCreated, body: body}
	writeRaw(w, http.StatusCreated, body)
}

// decode reads and checks a payment request.
func decode(r *http.Request) (request, error) {
	var req request
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&req); err != nil {
		return req, errors.New("send a JSON body with customer, amount (whole cents) and currency")
	}
	switch {
	case req.Customer == "":
		return req, errors.New("customer is required")
	case req.Amount <= 0:
		return req, errors.New("amount must be a whole number of cents, more than 0")
	case !currencies[req.Currency]:
		return req, errors.New("currency must be one of EUR, USD, GBP")
	}
	return req, nil
}

func (s *service) read(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p, ok := s.payments[r.PathValue("id")]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "no such payment")
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *service) balance(w http.ResponseWriter, r *http.Request) {
	customer := r.PathValue("customer")
	s.mu.Lock()
	b := s.balances[customer]
	s.mu.Unlock()
	b.Customer = customer
	writeJSON(w, http.StatusOK, b)
}

// writeJSON sends v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		log.Printf("encode response: %v", err)
		status = http.StatusInternalServerError
	}
	writeRaw(w, status, buf.Bytes())
}

// writeRaw sends a JSON body as it is.
func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if _, err := w.Write(body); err != nil {
		log.Printf("write response: %v", err)
	}
}

// writeError sends the API's error body: {"error": "..."}.
func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}
