package images

// Modules learners may use offline: the go image's module cache holds
// exactly these (and their dependencies). Challenge modules that use them
// must require these versions.
var Modules = []string{
	"github.com/gin-gonic/gin@v1.12.0",
	"github.com/redis/go-redis/v9@v9.23.0",
}

// The warm module is compiled at image build time, as the sandbox user,
// so learners' builds of these packages come from the cache.
const warmGoMod = `module warm

go 1.26
`

const warmMain = `package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"math"
	"math/big"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"
)

var (
	_ = sql.ErrNoRows
	_ = math.Pi
	_ = big.NewInt
	_ = sort.Ints
	_ = strconv.Itoa
	_ = atomic.AddInt64
	_ = slog.Info
)

func main() {
	var mu sync.Mutex
	mu.Lock()
	mu.Unlock()
	r := gin.New()
	r.GET("/", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"ok": true}) })
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = rdb.Ping(ctx).Err()
	b, _ := json.Marshal(map[string]string{"a": strings.ToUpper("b")})
	fmt.Println(string(b), errors.New("x"))
	if len(os.Args) > 5 {
		log.Fatal(http.ListenAndServe(":8080", r))
	}
}
`

const warmTest = `package main

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

func TestWarm(t *testing.T) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	n := 0
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			n++
			mu.Unlock()
		}()
	}
	wg.Wait()
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	t.Run("sub", func(t *testing.T) {
		if n != 4 {
			t.Fatal(n)
		}
	})
}
`
