/** The events queue's one job: deliver a scheduled event (job id = event id, delayed until `deliverAt`). */
export const DELIVER_EVENT_JOB = 'deliver';

export interface DeliverEventJobData {
  eventId: string;
}
