# escape=`
# expect: none
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
COPY app.exe C:\app\
RUN mkdir C:\data `
    && echo ready > C:\data\state.txt
USER 1000
ENTRYPOINT ["C:\\app\\app.exe"]
