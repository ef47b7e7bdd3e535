'use client';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Stats } from '@/lib/api/types';

// SVG fill attributes do not resolve CSS variables everywhere: the theme's colours, spelled out.
const COLORS = { succeeded: '#16a34a', failed: '#dc2626', other: '#1d5fbf' };

const hourFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export function ExecutionsChart({ perHour }: { perHour: Stats['perHour'] }) {
  const data = perHour.map((h) => ({
    hour: hourFmt.format(new Date(h.hour)),
    succeeded: h.succeeded,
    failed: h.failed,
    // Queued, running, waiting (parked on a durable wait) and cancelled: the stats count only succeeded and failed apart.
    other: Math.max(0, h.total - h.succeeded - h.failed),
  }));
  const total = perHour.reduce((n, h) => n + h.total, 0);
  return (
    <div className="h-64 w-full" role="img" aria-label={`Executions per hour over the last 24 hours: ${total} in total`} data-testid="executions-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--color-border)" />
          <XAxis dataKey="hour" tickLine={false} axisLine={false} fontSize={11} interval="preserveStartEnd" minTickGap={24} stroke="var(--color-muted-foreground)" />
          <YAxis allowDecimals={false} tickLine={false} axisLine={false} fontSize={11} stroke="var(--color-muted-foreground)" />
          <Tooltip cursor={{ fill: 'var(--color-muted)' }} contentStyle={{ borderRadius: 8, border: '1px solid var(--color-border)', fontSize: 12 }} />
          <Legend iconType="circle" iconSize={8} wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="succeeded" stackId="a" fill={COLORS.succeeded} name="Succeeded" isAnimationActive={false} />
          <Bar dataKey="failed" stackId="a" fill={COLORS.failed} name="Failed" isAnimationActive={false} />
          <Bar dataKey="other" stackId="a" fill={COLORS.other} name="In progress / cancelled" isAnimationActive={false} radius={[3, 3, 0, 0]} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
