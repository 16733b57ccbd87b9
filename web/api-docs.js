// The API's OpenAPI docs (/docs) with Swagger UI served by the app itself (npm's swagger-ui-dist): no CDN.
// Tried out from a signed-in page, requests carry the session cookie, and POSTs its X-CSRF-Token.

let csrf = null;

async function loadCsrf() {
  try {
    const response = await fetch('/api/auth/me', { headers: { Accept: 'application/json' } });
    if (response.ok) csrf = (await response.json()).csrf_token ?? null;
  } catch {
    csrf = null;
  }
}

window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  requestInterceptor: (request) => {
    if (csrf && !['GET', 'HEAD', 'OPTIONS'].includes((request.method ?? 'GET').toUpperCase())) {
      request.headers['X-CSRF-Token'] = csrf;
    }
    return request;
  },
});
loadCsrf();
