// The API key, when the gateway requires one (medv.gateway.api-keys-file): pasted by the user, kept in this tab's
// sessionStorage only (gone when the tab closes, never in localStorage or a cookie), and sent as
// "Authorization: Bearer KEY" with every API call. The page reads its streams with fetch, which can send the header
// (EventSource cannot).

const STORE = 'medv.apiKey';

export function apiKey() {
  return sessionStorage.getItem(STORE) || '';
}

export function setApiKey(key) {
  if (key) {
    sessionStorage.setItem(STORE, key);
  } else {
    sessionStorage.removeItem(STORE);
  }
}

/** `headers` plus Authorization when a key is set. */
export function withKey(headers = {}) {
  const key = apiKey();
  return key ? { ...headers, Authorization: 'Bearer ' + key } : headers;
}
