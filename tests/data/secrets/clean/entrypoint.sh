#!/bin/sh
set -eu
read -rs -p "Password: " PASSWORD
export API_TOKEN="$(cat /run/secrets/api_token)"
export DB_PASSWORD="${DB_PASSWORD:?DB_PASSWORD is required}"
TOKEN=$(curl -s "$METADATA/token")
curl -H "Authorization: Bearer $TOKEN" -u "admin:$ADMIN_PASSWORD" "https://$HOST/api"
PGPASSWORD="$DB_PASSWORD" psql -h db -U app
