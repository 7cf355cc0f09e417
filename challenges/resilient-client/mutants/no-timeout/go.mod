module resilient-client

go 1.26
