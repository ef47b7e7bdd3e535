import { Logo } from '@/components/shell/logo';

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col items-center justify-center bg-[radial-gradient(ellipse_at_top,_var(--color-accent),_transparent_60%)] px-4 py-10">
      <div className="mb-6">
        <Logo className="text-lg" />
      </div>
      <div className="w-full max-w-sm">{children}</div>
    </div>
  );
}
