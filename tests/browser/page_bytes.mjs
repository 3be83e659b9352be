// What a first visit costs in bytes over the wire, shared by the page-weight test and the bench:
// every response a fresh context gets while it opens `url` and `until(page)` resolves, until the
// network is idle, with its encoding and its size (headers and encoded body).
export async function firstVisit(browser, url, until) {
  const context = await browser.newContext();
  await context.addInitScript(() => localStorage.setItem('cieloweb.name', 'Weigher'));
  const page = await context.newPage();
  const requests = [];
  page.on('requestfinished', (request) => requests.push(request));
  try {
    await page.goto(url);
    await until(page);
    await page.waitForLoadState('networkidle');
    const responses = [];
    for (const request of requests) {
      const response = await request.response();
      if (!response) continue;
      const sizes = await request.sizes();
      const headers = await response.allHeaders();
      // A worker's own script reports no body size here; the server's Content-Length is exact.
      const body = Math.max(sizes.responseBodySize, Number(headers['content-length'] ?? 0));
      responses.push({
        url: request.url(),
        encoding: headers['content-encoding'] ?? '',
        bytes: sizes.responseHeadersSize + body,
      });
    }
    return responses;
  } finally {
    await context.close();
  }
}

export function totalBytes(responses) {
  return responses.reduce((sum, r) => sum + r.bytes, 0);
}

// The landing page, until its create-room button is there.
export const landingReady = (page) => page.waitForSelector('[data-testid=create-room]');
// A room link, until the person is in the room with the engine ready to send.
export const roomReady = (page) => page.waitForSelector('body[data-room=joined]', { state: 'attached' });
