# expect: none
# imgforge-ignore: PIN001
FROM ubuntu
# imgforge-ignore: PC001, BL003
RUN apt-get update && apt-get install -y curl
RUN pip install flask  # imgforge-ignore: PC004, PIN006
USER 10001
