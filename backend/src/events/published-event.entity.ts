import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An event an admin published (GopherNet's broker): delivered at once, or at `deliverAt`. */
@Entity('events')
export class PublishedEvent {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ type: 'text' })
  topic: string;

  @Column({ type: 'jsonb', default: {} })
  data: Record<string, unknown>;

  @Column({ name: 'publisher_id', type: 'uuid', nullable: true })
  publisherId: string | null;

  @Column({ name: 'deliver_at', type: 'timestamptz', nullable: true })
  deliverAt: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
