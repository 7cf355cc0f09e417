module sum

go 1.26
