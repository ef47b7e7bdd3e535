'use client';
import { useParams } from 'next/navigation';
import { ExecutionDetail } from '@/components/logs/execution-detail';

export default function Page() {
  const { id } = useParams<{ id: string }>();
  return <ExecutionDetail id={id} />;
}
