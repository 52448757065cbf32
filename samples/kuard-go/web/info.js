// Shows what the server says about itself, refreshed every few seconds.
function refresh() {
  fetch('/api/info')
    .then((r) => r.json())
    .then((info) => { document.getElementById('info').textContent = JSON.stringify(info, null, 2); })
    .catch((err) => { document.getElementById('info').textContent = String(err); });
}
refresh();
setInterval(refresh, 5000);
