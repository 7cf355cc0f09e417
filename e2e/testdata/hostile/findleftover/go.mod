module solve

go 1.26
