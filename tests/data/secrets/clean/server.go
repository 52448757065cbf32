package server

import "os"

type Config struct {
	Password string `json:"password" yaml:"password"`
	Token    string `json:"token,omitempty"`
	APIKey   string `env:"API_KEY"`
}

func load() Config {
	password := os.Getenv("DB_PASSWORD")
	token := r.Header.Get("X-Auth-Token")
	secretKey := cfg.SecretKey
	apiKey := flag.String("api-key", "", "API key for the service")
	return Config{Password: password, Token: token, APIKey: *apiKey}
}
