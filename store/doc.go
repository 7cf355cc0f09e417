// Package store keeps the grading service's state in Redis: submission
// records and files, results, progress event streams, leaderboards,
// idempotency keys and rate-limit windows. Every API replica and every
// worker share one store; all of its methods are safe for concurrent use.
//
// The store needs a single Redis (a primary, with or without replicas):
// several of its writes are multi-key transactions or Lua scripts, which
// Redis Cluster refuses across hash slots.
//
// # Key layout
//
// Every key starts with the prefix (Config.Prefix, default "grader"). The
// variable parts ({id}, {learner}, {challenge}, ...) are escaped ('%' as
// "%25", ':' as "%3A"), so a hostile name can never reach another key.
//
//	key                                     type     holds                                   retention
//	grader:sub:{id}                         hash     the submission's Record                 kept
//	grader:sub:{id}:files                   string   gzip'd JSON of the checked files        FilesTTL after grading
//	grader:sub:{id}:result                  string   JSON grader.Result (instructor view);   kept
//	                                                 the first stored, never replaced
//	grader:sub:{id}:events                  stream   progress events (for Server-Sent Events) FilesTTL after grading
//	grader:events                           channel  pub/sub: id of each submission given an event  not stored
//	grader:subs                             zset     every submission id by creation time    kept
//	grader:subs:learner:{l}                 zset     the same, one learner's                 kept
//	grader:subs:challenge:{c}               zset     the same, one challenge's               kept
//	grader:subs:learner:{l}:challenge:{c}   zset     the same, one learner on one challenge  kept
//	grader:subs:cohort:{k}                  zset     the same, one cohort's                  kept
//	grader:subs:learner:{l}:scope:{k}       zset     the same, one learner's of Record.Scope k kept
//	grader:unfinished                       zset     queued or grading ids by creation time  until graded
//	grader:unfinished:cohort:{k}            zset     the same, one cohort's (its quota)      until graded
//	grader:attempts:{c}:{l}                 string   counter: the learner's last attempt     kept
//	grader:board:{c}                        zset     learner -> packed best score and time   kept
//	grader:practice-board:{c}               zset     the same, practice submissions only     kept
//	grader:idem:{subject}:{key}             string   idempotency key -> submission id        the ttl given to ClaimIdempotencyKey
//	grader:result-cache:{sha256}            string   content address -> graded submission id ResultCacheTTL (7 days)
//	grader:rate:{key}:{window}              string   requests counted in one fixed window    one window after its first request
//	grader:cohort:{k}                       string   JSON Cohort                             kept
//	grader:cohorts                          zset     every cohort id by creation time        kept
//	grader:cohort-lanes                     string   counter: lanes handed out to cohorts    kept
//	grader:learner-cohorts:{l}              set      the cohorts a learner belongs to        kept
//	grader:cohort:{k}:token:{l}             string   hash of the learner's cohort token      until reissued, revoked or l leaves k
//	grader:token:{sha256}                   hash     an issued token's TokenGrant            until reissued, revoked or l leaves k
//	grader:regrade:{r}                      string   JSON Regrade                            kept
//	grader:regrade:{r}:items                hash     submission -> JSON RegradeItem          kept
//	grader:regrade:{r}:results              hash     submission -> JSON new grader.Result    kept
//	grader:regrades:cohort:{k}              zset     a cohort's regrade ids by creation time kept
//	grader:signing-key                      string   the shared result-signing key (PEM;      kept
//	                                                 secret), when no key file is configured
//	grader:signing-keys                     hash     key id -> JSON public key (GET /v1/keys) kept
//
// Record, Cohort, TokenGrant, Regrade and RegradeItem are the domain's
// types (package grader); the store keeps them and owns none of them.
//
// Creation-time scores are Unix nanoseconds as float64 (exact to a few
// hundred nanoseconds, which is all ordering needs). Leaderboard scores
// pack a score and a time into one float64: see Leaderboard.
//
// Records, results, indexes, attempt counters and boards stay until
// someone deletes them; files and event streams are dropped FilesTTL
// (default a day) after grading, except a cohort submission's files,
// which stay for regrades; issued tokens are stored only as SHA-256
// hashes; idempotency keys and rate windows expire
// by themselves.
package store
