module example.com/kuard-go

go 1.19
