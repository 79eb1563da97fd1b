// The app is a client-rendered SPA: no SSR, no prerendering (the Worker serves index.html for every page).
export const ssr = false;
export const prerender = false;
