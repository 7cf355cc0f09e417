module items

go 1.26.0
