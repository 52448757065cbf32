"""Board administration from the command line: prints the notices and exits."""

import argparse


def main() -> None:
    parser = argparse.ArgumentParser(description="List the board's notices.")
    parser.add_argument("--limit", type=int, default=10)
    args = parser.parse_args()
    print(f"showing up to {args.limit} notices")
