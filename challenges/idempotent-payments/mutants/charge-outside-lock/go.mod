module idempotent-payments

go 1.26
