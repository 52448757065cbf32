# expect: SYN007
# nothing but comments here

# really
