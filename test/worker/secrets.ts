// Secrets the Worker gets in tests: fixed values known to the tests and to the local stand-ins they start.
export const testSecrets = {
  SESSION_SECRET: "test-session-secret-0123456789abcdef",
  CALLS_APP_ID: "test-app",
  CALLS_APP_SECRET: "test-calls-secret",
  STRIPE_SECRET_KEY: "sk_test_local",
  STRIPE_WEBHOOK_SECRET: "whsec_test_local",
  VAPID_PUBLIC_KEY: "",
  VAPID_PRIVATE_KEY: "",
};
