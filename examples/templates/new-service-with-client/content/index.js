// ${{ values.name }}: replace with your service.
const http = require('node:http');

http
  .createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ service: ${{ values.name | dump }}, ok: true }));
  })
  .listen(process.env.PORT ?? 8080);
