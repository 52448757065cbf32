#!/bin/sh
set -eu
export GH_TOKEN=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
export AWS_ACCESS_KEY_ID=AKIAADRVIP64ZGGBLKXQ
exec ./deploy --prod
