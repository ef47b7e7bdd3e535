import { RequireAuth } from '@/components/auth/guards';
import { AppShell } from '@/components/shell/app-shell';

export default function DashboardLayout({ children }: { children: React.ReactNode }) {
  return (
    <RequireAuth>
      <AppShell>{children}</AppShell>
    </RequireAuth>
  );
}
