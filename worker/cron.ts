// The every-minute Cron Trigger: jobs that must run without a request (reminders are added by the scheduling work).
export async function runScheduled(env: Env, scheduledTime: number): Promise<void> {
  console.log(JSON.stringify({ event: "cron_tick", at: new Date(scheduledTime).toISOString(), hasDb: Boolean(env.DB) }));
}
