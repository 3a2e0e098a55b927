// The design system. Import tokens and base styles once (main.tsx); components bring their own CSS.
export { Badge, type BadgeProps, type BadgeTone } from './badge';
export { Button, type ButtonProps, type ButtonSize, type ButtonVariant } from './button';
export { Checkbox, type CheckboxProps } from './checkbox';
export { copyText, saveTextFile } from './clipboard';
export { CopyButton } from './copy-button';
export { Dialog, type DialogProps } from './dialog';
export { EmptyState, type EmptyStateProps } from './empty-state';
export { PageHeader, type PageHeaderProps } from './page-header';
export { Progress, type ProgressProps } from './progress';
export { Select, type SelectOption, type SelectProps } from './select';
export { StatusBadge, STATUS_LOOKS, type Status, type StatusBadgeProps } from './status-badge';
export { Table, type SortDirection, type TableColumn, type TableProps } from './table';
export { Tabs, type TabItem, type TabsProps } from './tabs';
export { TextField, type TextFieldProps } from './text-field';
export { ThemeToggle } from './theme-toggle';
export { Toaster } from './toaster';
export { useThemeStore, type ResolvedTheme, type ThemePreference } from './use-theme-store';
export { useToastStore, type Toast, type ToastInput, type ToastKind } from './use-toast-store';
