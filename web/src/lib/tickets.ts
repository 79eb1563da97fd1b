// Tickets and host payouts over HTTP: my ticket status, starting a checkout, Connect onboarding, earnings.
import type { Earnings, TicketStatus, WaitlistResponse } from "#protocol/tickets.ts";
import { api } from "./api.ts";

const spacePath = (id: string) => `/spaces/${encodeURIComponent(id)}`;

export const getTicketStatus = (spaceId: string) => api.get<TicketStatus>(`${spacePath(spaceId)}/ticket`);

/** Holds a seat and returns the URL of the payment page to send the browser to. */
export const startCheckout = async (spaceId: string) => (await api.post<{ url: string }>(`${spacePath(spaceId)}/checkout`)).url;

/** Joins a sold-out Space's waitlist; returns my place in line. */
export const joinWaitlist = async (spaceId: string) => (await api.post<WaitlistResponse>(`${spacePath(spaceId)}/waitlist`)).waitlist;

/** Leaves the waitlist (and passes on a seat it offered me). */
export const leaveWaitlist = async (spaceId: string) => {
  await api.delete<WaitlistResponse>(`${spacePath(spaceId)}/waitlist`);
};

export const getEarnings = () => api.get<Earnings>("/earnings");

export const connectPayoutsUrl = async () => (await api.post<{ url: string }>("/stripe/connect")).url;

/** After paying, the webhook may land a moment after the browser returns: poll until the ticket shows up. */
export async function waitForTicket(spaceId: string, attempts = 10, delayMs = 1000): Promise<TicketStatus> {
  let status = await getTicketStatus(spaceId);
  for (let i = 1; i < attempts && status.access === "none"; i++) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    status = await getTicketStatus(spaceId);
  }
  return status;
}
