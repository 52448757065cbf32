// The browser client: its build writes into the api member's public/, which the api serves.
document.title = "harbor tides";
