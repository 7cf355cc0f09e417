module notes

go 1.26
