module example.com/todopostgres

go 1.26
