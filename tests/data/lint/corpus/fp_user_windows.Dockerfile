# escape=`
# expect: none
# expect-info: PIN003
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
USER ContainerUser
CMD ["cmd.exe"]
