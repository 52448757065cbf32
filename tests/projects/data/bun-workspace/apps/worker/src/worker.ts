import isOdd from "is-odd";

// Another deployable member: the image of the api member holds neither it nor its dependency.
setInterval(() => console.log("tick", isOdd(Date.now())), 60_000);
Bun.serve({ port: Number(process.env.PORT ?? 3001), fetch: () => new Response("worker") });
