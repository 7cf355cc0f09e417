// Command auth-sessions serves accounts, sessions and private notes as a
// JSON API; README.md has the contract. This is a known-wrong solution:
// a password of exactly 8 characters is refused.
package main

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

const (
	iterations = 100_000 // PBKDF2-HMAC-SHA256 rounds
	keyLen     = 32
	minPassLen = 8
)

var validUsername = regexp.MustCompile(`^[a-z0-9_]{3,32}$`)

// User is one account. The hash and salt never leave the service.
type User struct {
	Username string `json:"username"`
	Role     string `json:"role"`
	salt     []byte
	hash     []byte
}

// Note is one private note, as the API sends it.
type Note struct {
	ID    string `json:"id"`
	Owner string `json:"owner"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

type session struct {
	username string
	expires  time.Time
}

type server struct {
	ttl       time.Duration
	dummySalt []byte
	dummyHash []byte

	mu       sync.Mutex
	users    map[string]*User
	order    []string // usernames, oldest first
	sessions map[string]session
	notes    map[string]*Note
	noteIDs  []string // oldest first
	nextNote int
}

func main() {
	ttl := 3600
	if v := os.Getenv("TOKEN_TTL_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			log.Fatalf("TOKEN_TTL_SECONDS=%q: want a whole number of seconds above 0", v)
		}
		ttl = n
	}
	s := &server{
		ttl:      time.Duration(ttl) * time.Second,
		users:    map[string]*User{},
		sessions: map[string]session{},
		notes:    map[string]*Note{},
	}
	s.dummySalt = randomBytes(16)
	s.dummyHash = hashPassword("dummy password", s.dummySalt)
	if name := os.Getenv("ADMIN_USERNAME"); name != "" {
		s.addUser(name, os.Getenv("ADMIN_PASSWORD"), "admin")
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("POST /signup", s.signup)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.authed(s.logout))
	mux.HandleFunc("GET /me", s.authed(s.me))
	mux.HandleFunc("POST /notes", s.authed(s.createNote))
	mux.HandleFunc("GET /notes", s.authed(s.listNotes))
	mux.HandleFunc("GET /notes/{id}", s.authed(s.readNote))
	mux.HandleFunc("GET /admin/users", s.authed(s.listUsers))

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Fatal(http.ListenAndServe(":"+port, mux))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails on Go 1.24+
	return b
}

func hashPassword(password string, salt []byte) []byte {
	key, err := pbkdf2.Key(sha256.New, password, salt, iterations, keyLen)
	if err != nil {
		panic(err) // only for parameters out of FIPS bounds, never these
	}
	return key
}

// addUser stores a new account; false when the username is taken.
func (s *server) addUser(username, password, role string) (*User, bool) {
	salt := randomBytes(16)
	u := &User{Username: username, Role: role, salt: salt, hash: hashPassword(password, salt)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.users[username]; taken {
		return nil, false
	}
	s.users[username] = u
	s.order = append(s.order, username)
	return u, true
}

type credentials struct {
	Username *string `json:"username"`
	Password *string `json:"password"`
}

// readCredentials decodes a sign-up or login body, or answers 400.
func readCredentials(w http.ResponseWriter, r *http.Request) (username, password string, ok bool) {
	var in credentials
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "validation_failed", "send a JSON object with a username and a password (strings)")
		return "", "", false
	}
	if in.Username == nil || in.Password == nil {
		writeError(w, http.StatusBadRequest, "validation_failed", "username and password are required")
		return "", "", false
	}
	return *in.Username, *in.Password, true
}

func (s *server) signup(w http.ResponseWriter, r *http.Request) {
	username, password, ok := readCredentials(w, r)
	if !ok {
		return
	}
	if !validUsername.MatchString(username) {
		writeError(w, http.StatusBadRequest, "validation_failed", "username must be 3 to 32 characters among a-z, 0-9 and _")
		return
	}
	if utf8.RuneCountInString(password) <= minPassLen {
		writeError(w, http.StatusBadRequest, "validation_failed", "password must be at least 8 characters")
		return
	}
	u, ok := s.addUser(username, password, "user")
	if !ok {
		writeError(w, http.StatusConflict, "username_taken", "username "+username+" is taken")
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	username, password, ok := readCredentials(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	u := s.users[username]
	s.mu.Unlock()
	salt, want := s.dummySalt, s.dummyHash
	if u != nil {
		salt, want = u.salt, u.hash
	}
	// Hash even for an unknown user, so both take the same time.
	match := subtle.ConstantTimeCompare(hashPassword(password, salt), want) == 1
	if u == nil || !match {
		writeError(w, http.StatusUnauthorized, "invalid_credentials", "invalid username or password")
		return
	}
	token := hex.EncodeToString(randomBytes(32))
	s.mu.Lock()
	s.sessions[token] = session{username: u.Username, expires: time.Now().Add(s.ttl)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"token":      token,
		"token_type": "Bearer",
		"expires_in": int(s.ttl / time.Second),
	})
}

// authed runs next with the caller's account and token, or answers 401.
func (s *server) authed(next func(w http.ResponseWriter, r *http.Request, u *User, token string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, token, found := strings.Cut(r.Header.Get("Authorization"), " ")
		if !found || scheme != "Bearer" || token == "" {
			unauthorized(w, "send Authorization: Bearer <token>; log in at POST /login")
			return
		}
		s.mu.Lock()
		sess, ok := s.sessions[token]
		if ok && !time.Now().Before(sess.expires) {
			delete(s.sessions, token)
			ok = false
		}
		u := s.users[sess.username]
		s.mu.Unlock()
		if !ok || u == nil {
			unauthorized(w, "the token is unknown, expired or logged out; log in again")
			return
		}
		next(w, r, u, token)
	}
}

func unauthorized(w http.ResponseWriter, message string) {
	writeError(w, http.StatusUnauthorized, "unauthorized", message)
}

func (s *server) me(w http.ResponseWriter, r *http.Request, u *User, _ string) {
	writeJSON(w, http.StatusOK, u)
}

func (s *server) logout(w http.ResponseWriter, r *http.Request, _ *User, token string) {
	s.mu.Lock()
	delete(s.sessions, token)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) createNote(w http.ResponseWriter, r *http.Request, u *User, _ string) {
	var in struct {
		Title *string `json:"title"`
		Body  *string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Title == nil || *in.Title == "" {
		writeError(w, http.StatusBadRequest, "validation_failed", "send a JSON object with a non-empty title (and an optional body)")
		return
	}
	n := &Note{Owner: u.Username, Title: *in.Title}
	if in.Body != nil {
		n.Body = *in.Body
	}
	s.mu.Lock()
	s.nextNote++
	n.ID = strconv.Itoa(s.nextNote)
	s.notes[n.ID] = n
	s.noteIDs = append(s.noteIDs, n.ID)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, n)
}

func (s *server) listNotes(w http.ResponseWriter, r *http.Request, u *User, _ string) {
	s.mu.Lock()
	mine := []*Note{}
	for _, id := range s.noteIDs {
		if n := s.notes[id]; n.Owner == u.Username {
			mine = append(mine, n)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"notes": mine})
}

func (s *server) readNote(w http.ResponseWriter, r *http.Request, u *User, _ string) {
	s.mu.Lock()
	n, ok := s.notes[r.PathValue("id")]
	s.mu.Unlock()
	switch {
	case !ok:
		writeError(w, http.StatusNotFound, "not_found", "no note with id "+r.PathValue("id"))
	case n.Owner != u.Username:
		writeError(w, http.StatusForbidden, "forbidden", "this note belongs to someone else")
	default:
		writeJSON(w, http.StatusOK, n)
	}
}

func (s *server) listUsers(w http.ResponseWriter, r *http.Request, u *User, _ string) {
	if u.Role != "admin" {
		writeError(w, http.StatusForbidden, "forbidden", "only admins may list the accounts")
		return
	}
	s.mu.Lock()
	all := make([]*User, 0, len(s.order))
	for _, name := range s.order {
		all = append(all, s.users[name])
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"users": all})
}

// writeJSON sends v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}

// writeError sends the API's error body: {"error": {"code": ..., "message": ...}}.
// Every 401 says which scheme to authenticate with.
func writeError(w http.ResponseWriter, status int, code, message string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": message}})
}
