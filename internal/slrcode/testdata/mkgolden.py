# Writes the golden authorization code file of the slrcode tests by hand
# (no Go code involved) and signs it with openssl. See README.md.
import subprocess, base64, hashlib
auth = ('<authorizationCode><flag>A</flag><version>C</version>'
 '<piid>3f2a9c1e-7b4d-4e8a-9c2f-1d6e5b4a3c21</piid><timestamp>1767225600123</timestamp><entitlements>'
 '<entitlement><tag>regid.2017-03.com.cisco.C9300_DNA_Advantage,1.0_1b5e5c2c-8f1e-4f7a-9d0b-3f3c2d1e0a11</tag><count>3</count><startDate></startDate><endDate></endDate><licenseType>PERPETUAL</licenseType><displayName>C9300 DNA Advantage</displayName><tagDescription>Cisco Catalyst 9300 DNA Advantage &lt;Perpetual&gt; &amp; &quot;more&quot;</tagDescription><subscriptionID></subscriptionID></entitlement>'
 '<entitlement><tag>regid.2017-03.com.cisco.C9300_DNA_Essentials,1.0_6a1e7d3b-2c4f-4b8e-8f1a-0e9d8c7b6a55</tag><count>2</count><startDate>2026-01-01</startDate><endDate>2028-12-31</endDate><licenseType>TERM</licenseType><displayName>C9300 DNA Essentials (3Y)</displayName><tagDescription>Bob&apos;s term license</tagDescription><subscriptionID>Sub-100200</subscriptionID></entitlement>'
 '<entitlement><tag>regid.2017-03.com.cisco.c9300_network_stack,1.0_ffee</tag><count>1</count><startDate></startDate><endDate>2027-06-30</endDate><licenseType>TERM</licenseType><displayName>Ünïcødé — name</displayName><tagDescription></tagDescription><subscriptionID></subscriptionID></entitlement>'
 '</entitlements></authorizationCode>')
udi = '<udi>P:C9300-24UX,S:FCW2134L0RN</udi>'
msg = (auth + udi).encode()
open('/tmp/msg.bin','wb').write(msg)
der = subprocess.run(['openssl','dgst','-sha256','-sign','signing-key.pem','/tmp/msg.bin'],capture_output=True,check=True).stdout
sig = base64.b64encode(der).decode()
f = '<specificPLR>' + auth + '<signature>' + sig + '</signature>' + udi + '</specificPLR>\n'
open('AuthorizationCode_SN_FCW2134L0RN.txt','w',encoding='utf-8').write(f)
open('/tmp/sig.der','wb').write(der)
piid='3f2a9c1e-7b4d-4e8a-9c2f-1d6e5b4a3c21'
rc = base64.b32encode(hashlib.sha256(f'return:{piid}:{sig}'.encode()).digest()[:30]).decode()
print('return', '-'.join(rc[i:i+6] for i in range(0,48,6)))
print('confirm', hashlib.sha256(f'confirm:{sig}'.encode()).hexdigest()[:8])
