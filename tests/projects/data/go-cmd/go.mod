module example.invalid/greeter/v2

go 1.22
