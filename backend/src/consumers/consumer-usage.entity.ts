import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Requests of one consumer on one route (the matched pattern, e.g. `POST /api/webhooks/:workflowId`) in one UTC day. */
@Entity('consumer_usage')
export class ConsumerUsage {
  @PrimaryColumn({ name: 'consumer_id', type: 'uuid' })
  consumerId: string;

  @PrimaryColumn({ type: 'text' })
  route: string;

  @PrimaryColumn({ type: 'date' })
  day: string;

  @Column({ type: 'bigint' })
  count: string;
}
