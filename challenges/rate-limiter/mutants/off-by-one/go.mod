module rate-limiter

go 1.26
