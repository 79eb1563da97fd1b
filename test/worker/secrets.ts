// Secrets the Worker gets in tests: fixed values known to the tests and to the local stand-ins they start.
export const testSecrets = {
  SESSION_SECRET: "test-session-secret-0123456789abcdef",
  CALLS_APP_ID: "test-app",
  CALLS_APP_SECRET: "test-calls-secret",
  STRIPE_SECRET_KEY: "sk_test_local",
  STRIPE_WEBHOOK_SECRET: "whsec_test_local",
  // A fixed P-256 pair (base64url: uncompressed public point, private scalar d) so tests can verify the VAPID JWT.
  VAPID_PUBLIC_KEY: "BO2k380kurIYz40M5MJ72W3wEuKh5W4hxyylUA9Aimcm7XQi6cj7ox6XjlKzApDwzdCYVrHqb1tKgjkh4ghZ8bk",
  VAPID_PRIVATE_KEY: "mwfV8bKOG3inWKQx_ZX-qXwcoCDdAtU59Xjr5Vr3IOU",
};
