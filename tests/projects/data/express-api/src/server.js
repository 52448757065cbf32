'use strict';
const express = require('express');

const app = express();
const orders = [{ id: 1, item: 'book' }];

app.get('/', (req, res) => res.json({ message: 'orders api', orders: orders.length }));
app.get('/orders/:id', (req, res) => {
  const order = orders.find((o) => o.id === Number(req.params.id));
  return order ? res.json(order) : res.status(404).json({ error: 'not found' });
});
app.get('/healthz', (req, res) => res.send('ok'));
app.get('/readyz', (req, res) => res.send('ready'));

const port = process.env.PORT || 3000;
const server = app.listen(port, () => console.log(`orders api on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
