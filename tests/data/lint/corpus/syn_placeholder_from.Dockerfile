# expect: SYN013
# A base filled in by a script before the build; as written BuildKit rejects it.
FROM BASE-IMAGE-HERE
USER 10001
CMD ["serve"]
