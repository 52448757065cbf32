# expect: none
# expect-info: PIN003 PIN003 PIN003
# manifest globs first, the dependency download, then the sources: the order LO001 asks for
FROM golang:1.22 AS build
WORKDIR /src
COPY go.* ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app
FROM node:20-slim AS web
WORKDIR /web
COPY package*.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY . .
FROM mcr.microsoft.com/dotnet/sdk:8.0 AS dotnet
WORKDIR /app
COPY *.csproj .
RUN dotnet restore
COPY . .
RUN dotnet publish -c Release -o /out
FROM gcr.io/distroless/static-debian12:nonroot@sha256:8dd8d3ca2cf283383304fd45a5c9c74d5f2cd9da8d3b077d720e264880077c65
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
