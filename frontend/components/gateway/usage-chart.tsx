'use client';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

// SVG fill attributes do not resolve CSS variables everywhere: the theme's primary, spelled out.
const FILL = '#1d5fbf';

const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** Requests per day (UTC dates, every day of the range, zeros included). */
export function UsageChart({ days }: { days: { day: string; count: number }[] }) {
  const data = days.map((d) => ({ label: dayFmt.format(new Date(`${d.day}T00:00:00Z`)), requests: d.count }));
  const total = days.reduce((n, d) => n + d.count, 0);
  return (
    <div className="h-56 w-full" role="img" aria-label={`Requests per day: ${total} in ${days.length} days`} data-testid="usage-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--color-border)" />
          <XAxis dataKey="label" tickLine={false} axisLine={false} fontSize={11} interval="preserveStartEnd" minTickGap={24} stroke="var(--color-muted-foreground)" />
          <YAxis allowDecimals={false} tickLine={false} axisLine={false} fontSize={11} stroke="var(--color-muted-foreground)" />
          <Tooltip cursor={{ fill: 'var(--color-muted)' }} contentStyle={{ borderRadius: 8, border: '1px solid var(--color-border)', fontSize: 12 }} />
          <Bar dataKey="requests" name="Requests" fill={FILL} radius={[3, 3, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
