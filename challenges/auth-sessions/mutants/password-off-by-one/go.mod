module auth-sessions

go 1.26
