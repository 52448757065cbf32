const express = require("express");
const { greet } = require("bakery-greet");
const menu = require("./generated/menu.json");

const app = express();
app.get("/", (req, res) => res.send(greet(req.query.name)));
app.get("/menu", (req, res) => res.json(menu));
app.get("/healthz", (req, res) => res.send("ok"));
app.get("/readyz", (req, res) => res.send("ready"));

const port = process.env.PORT || 3000;
app.listen(port, () => console.log(`bakery on ${port}`));
