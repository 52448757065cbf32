FROM golang:1.21 as builder
WORKDIR /go/src/app
COPY . .
RUN go get -d -v ./...
RUN go build -o /go/bin/app
FROM debian:bookworm
RUN apt-get update && apt-get install -y ca-certificates
COPY --from=builder /go/bin/app /usr/local/bin/app
COPY --from=build /etc/ssl /etc/ssl
CMD ["app"]
