// A small bundled list of passwords that appear at the top of every breach corpus, plus the words
// technicians reach for on site. Checked locally only: nothing the person types leaves this window.
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '123456', '123456789', '12345678', '1234567890', '12345', '1234567', '123123', '111111', '000000', '654321',
  '666666', '121212', '112233', '987654321', '123321', '7777777', '88888888', '11111111', '00000000', '1q2w3e4r',
  '1q2w3e4r5t', 'qwerty', 'qwerty123', 'qwertyuiop', 'qwerty1', 'asdfgh', 'asdfghjkl', 'zxcvbnm', 'azerty', 'qwertz',
  'password', 'password1', 'password12', 'password123', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'pa$$w0rd', 'passwort', 'motdepasse',
  'iloveyou', 'princess', 'sunshine', 'football', 'baseball', 'monkey', 'dragon', 'letmein', 'welcome', 'welcome1',
  'welcome123', 'admin', 'admin123', 'administrator', 'root', 'toor', 'changeme', 'changeme123', 'default', 'secret',
  'master', 'masterkey', 'login', 'abc123', 'abcd1234', 'abcdef', 'trustno1', 'shadow', 'superman', 'batman',
  'michael', 'jennifer', 'charlie', 'freedom', 'whatever', 'starwars', 'hello123', 'test', 'test123', 'testtest',
  'guest', 'user', 'user123', 'temp', 'temp123', 'summer2024', 'winter2024', 'spring2024', 'autumn2024', 'summer2025',
  'raspberry', 'ubuntu', 'debian', 'kubernetes', 'azure', 'azure123', 'microsoft', 'iotedge', 'mosquitto', 'broker',
  'fieldbench', 'vault', 'vault123', 'certificate', 'openssl', 'mqtt', 'mqtt1234', 'factory', 'plant', 'siemens',
]);
