// Never listens and never ends: the service is never ready.
setInterval(() => {}, 3600 * 1000);
